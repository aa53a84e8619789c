/**
 * `npm run bench`: throughput of the toolkit against the bare libraries on the same data in the same run, reported as
 * ratios (absolute numbers depend on the machine). `npm run bench -- validate`, `-- readers`, `-- convert` or
 * `-- stage`, `-- serve`, `-- remote` or `-- upload` runs one part.
 */
import {cpus, totalmem} from 'node:os'

import {benchConvert} from './convert.js'
import {benchReaders} from './readers.js'
import {benchRemote} from './remote.js'
import {benchServe} from './serve.js'
import {benchStage} from './stage.js'
import {benchUpload} from './upload.js'
import {benchValidate} from './validate.js'

const parts: Record<string, () => Promise<void>> = {
  validate: benchValidate,
  readers: benchReaders,
  convert: benchConvert,
  stage: benchStage,
  serve: benchServe,
  remote: benchRemote,
  upload: benchUpload,
}
const wanted = process.argv.slice(2)
const cpu = cpus()[0]?.model ?? 'cpu'
console.log(`machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`)
for (const [name, run] of Object.entries(parts)) if (wanted.length === 0 || wanted.includes(name)) await run()
