export {escapeHtml, formatCount, type Html, htmlContext, plural} from './escape.js'
export {issuesSection, type IssuesInput, type IssuesOptions, NO_ROOT_CAUSE} from './issues.js'
export {
  type Card,
  cell,
  type Column,
  type Filter,
  type PageHead,
  type Row,
  reconciliation,
  renderPage,
  section,
  summaryCards,
  table,
  tableEnd,
  tableGroup,
  tableRow,
  tableStart,
  type TableOptions,
  type Tone,
} from './page.js'
export {writeHtmlReport} from './write.js'
export {renderValidateHtml} from './validate.js'
export {renderConvertHtml} from './convert.js'
export {renderStageHtml} from './stage.js'
export {renderUploadHtml} from './upload.js'
