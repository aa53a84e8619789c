import type {IssueCode} from './catalog.js'

/**
 * The Swedish messages and hints of every issue code, with the same `{placeholders}` as the English ones in
 * catalog.ts. Typed by IssueCode, so a code missing here (or one too many) fails the build. SS 12000 field and enum
 * names, file names and flags are identifiers and stay as they are.
 */
export const CATALOG_SV: Record<IssueCode, {message: string; hint?: string}> = {
  // input: files and their shape
  'json.syntax': {
    message: 'Syntaxfel i JSON: {detail}',
    hint: 'Rätta JSON-texten på den här platsen; inget efter den kunde läsas i filen.',
  },
  'json.empty': {message: 'Filen innehåller inget JSON-värde', hint: 'Ta bort filen eller fyll den med data.'},
  'input.encoding': {
    message: 'Filen är inte giltig UTF-8: {detail}',
    hint: 'JSON enligt SS 12000 måste vara UTF-8. Konvertera filen, t.ex. med iconv -f WINDOWS-1252 -t UTF-8.',
  },
  'input.utf16': {
    message: 'Filen är UTF-16; den kunde läsas, men JSON enligt SS 12000 ska vara UTF-8',
    hint: 'Spara den som UTF-8.',
  },
  'input.unreadable': {message: 'Det går inte att läsa indata: {detail}'},
  'input.no-files': {message: 'Här finns inga .json-, .ndjson- eller .jsonl-filer'},
  'input.entity-unknown': {
    message: 'Det går inte att avgöra vilken entitetstyp posterna är ({count} poster hoppades över)',
    hint: 'Döp filen efter dess samling (persons.json, groups.ndjson), lägg posterna i {"persons": [...]} eller ange --entity Person.',
  },
  'input.not-an-object': {message: '{entity}-poster måste vara JSON-objekt, men här finns {detail}'},
  'input.no-entities': {message: 'Indata innehåller inga entiteter att validera'},
  // tabular sources (CSV, Excel)
  'source.empty': {message: 'Filen innehåller inga data: den är tom eller alla rader är tomma'},
  'source.header-only': {message: 'Filen har en rubrikrad men inga datarader'},
  'source.header-empty': {message: 'Kolumn {column} saknar rubrik; den kallas {name}'},
  'source.header-duplicate': {
    message: 'Rubriken "{original}" förekommer mer än en gång; kolumn {column} kallas {name}',
    hint: 'Byt namn på kolumnen i exporten, eller hänvisa till den som {name} i mallen.',
  },
  'source.blank-rows': {message: 'Tomma rader hoppades över: {count} st. (rad {lines})'},
  'source.encoding-mixed': {
    message:
      'Filen blandar teckenkodningar: rader som inte är giltig UTF-8 lästes som Windows-1252 ({count} st., rad {lines})',
    hint: 'Kontrollera om de raderna har felaktiga tecken; spara filen i en enda teckenkodning (UTF-8).',
  },
  'source.ragged-extra': {
    message:
      'Raden har {count} celler men rubrikraden har {expected}; de extra cellerna innehåller data som inte hör till någon kolumn',
    hint: 'Finns det ett avgränsningstecken i ett värde utan citattecken? Sätt värdet inom citattecken, eller kontrollera --delimiter.',
  },
  'source.ragged-short': {
    message: 'Raden har {count} celler men rubrikraden har {expected}; de saknade cellerna läses som tomma',
  },
  'source.truncated': {
    message: 'Filen tar slut inuti ett värde inom citattecken som börjar på rad {line}: den sista posten är avklippt',
    hint: 'Exporten avbröts, eller så saknas ett avslutande citattecken.',
  },
  'source.excel-error': {
    message: 'Cell {cell} innehåller Excel-felet {value}',
    hint: 'Rätta formeln eller värdet i arbetsboken.',
  },
  'source.excel-no-result': {
    message: 'Cell {cell} har en formel utan sparat resultat; den läses som tom',
    hint: 'Öppna filen i Excel och spara den, så att resultaten lagras.',
  },
  // transforms: mapping a legacy cell to an SS 12000 value (src/transforms)
  'transform.name.format': {
    message: 'Namnet är inte skrivet i kolumnens angivna namnformat "{format}"',
    hint: 'Kontrollera namnformatet som anges för kolumnen i mallen ("family, given" kräver ett kommatecken).',
  },
  'transform.name.single': {
    message: 'Bara ett namn hittades; det används som {part}',
    hint: 'SS 12000 kräver både givenName och familyName: hämta det andra från en egen kolumn, eller rätta källan.',
  },
  'transform.civic-no.format': {
    message: 'Inte ett personnummer i ett känt format (ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN eller ÅÅMMDDNNNN)',
    hint: 'Ett nummer med 11 siffror har en siffra för mycket eller för lite; jämför det med källan.',
  },
  'transform.civic-no.date': {
    message: 'Personnumret börjar inte med ett verkligt datum (samordningsnummer: dag + 60)',
  },
  'transform.civic-no.checksum': {
    message: 'Personnumrets kontrollsiffra stämmer inte (Luhn)',
    hint: 'Jämför numret med källan; troligen är det ett skrivfel.',
  },
  'transform.civic-no.temporary': {
    message: 'Tillfälliga personnummer (bokstäver på plats 9-10) är inte tillåtna i den här kolumnen',
    hint: 'Sätt allowTemporary: true för kolumnen om elevregistrets tillfälliga personnummer ska med i utdata.',
  },
  'transform.civic-no.lower-case': {
    message: 'Små bokstäver i ett tillfälligt personnummer ändrades till versaler',
  },
  'transform.civic-no.leading-zeros': {
    message: 'Personnumret var för kort; de inledande nollor som Excel tar bort från tal har lagts tillbaka',
    hint: 'Formatera kolumnen som text i Excel, så att tal som börjar med 0 behåller sina nollor.',
  },
  'transform.sex.temporary': {
    message: 'Kön kan inte härledas från ett tillfälligt personnummer',
    hint: 'Hämta kön från en egen kolumn.',
  },
  'transform.date.format': {
    message: 'Värdet följer inte kolumnens angivna datumformat {format}',
    hint: 'Datum gissas aldrig: kontrollera datumformatet som anges för kolumnen i mallen.',
  },
  'transform.date.invalid': {message: 'Inte ett verkligt kalenderdatum'},
  'transform.date.excel-leap-day': {
    message: 'Excel-datum 60 är 1900-02-29, en dag som inte fanns (ett känt fel i Excel)',
    hint: 'Kontrollera datumet i arbetsboken.',
  },
  'transform.date.range': {
    message: 'Datumet ligger utanför åren 0001-9999 (Excels serienummer 1-2958465)',
  },
  'transform.date.time-dropped': {message: 'Värdet har ett klockslag; bara datumet behålls'},
  'transform.date-time.no-time': {
    message: 'Värdet saknar klockslag; midnatt (00:00) används',
  },
  'transform.date-time.invalid-time': {message: 'Inte ett verkligt klockslag (00:00:00-23:59:59)'},
  'transform.date-time.dst-gap': {
    message: 'Den här lokala tiden finns inte i {timeZone}: klockan hoppar från 02:00 till 03:00 den natten',
    hint: 'Kontrollera klockslaget i källan.',
  },
  'transform.date-time.dst-ambiguous': {
    message:
      'Den här lokala tiden förekommer två gånger i {timeZone} (klockan ställs tillbaka från 03:00 till 02:00); den första, sommartid (+02:00), används',
  },
  'transform.email.invalid': {
    message: 'Inte en giltig e-postadress',
    hint: 'En adress behöver ett @, en domän med punkt och inga mellanslag eller bokstäver utanför a-z (skriv domäner med å, ä, ö i punycode).',
  },
  'transform.phone.invalid': {
    message: 'Inte ett telefonnummer: bara siffror, mellanslag, +, -, ., / och parenteser får förekomma',
    hint: 'Flytta anknytningar och anteckningar till en egen kolumn.',
  },
  'transform.phone.length': {
    message: 'Ett svenskt telefonnummer har 7-9 siffror efter den inledande nollan',
  },
  'transform.phone.international-length': {
    message: 'Ett internationellt telefonnummer har 7-15 siffror efter + och börjar inte med 0',
  },
  'transform.phone.leading-zero': {
    message:
      'Telefonnumret saknar inledande 0 och landsnummer; det tolkas som ett svenskt nummer där nollan har fallit bort',
    hint: 'Formatera kolumnen som text i Excel, så att tal som börjar med 0 behåller sina nollor.',
  },
  'transform.phone.trunk-zero': {
    message: 'Nollan efter landsnumret +46 togs bort (+46 70..., inte +46 070...)',
  },
  'transform.boolean.unknown': {
    message: 'Inte ett ja/nej-värde; kolumnen godtar {accepted}',
    hint: 'Lägg till värdet i kolumnens lista för true eller false i mallen, eller rätta källan.',
  },
  'transform.integer.invalid': {
    message: 'Inte ett heltal',
    hint: 'Siffror, eventuellt med plus- eller minustecken; tusental får skiljas med mellanslag (1 234).',
  },
  'transform.decimal.invalid': {
    message: 'Inte ett tal',
    hint: 'Använd decimalkomma eller decimalpunkt (3,5 eller 3.5); tusental får skiljas med mellanslag (1 234,5).',
  },
  'transform.number.range': {message: 'Talet ligger utanför det tillåtna intervallet {range}'},
  'transform.percent.invalid': {
    message: 'Inte en procentsats',
    hint: 'Skriv den som 50, 50 % eller 0,5 (med kolumnens scale satt till fraction eller auto).',
  },
  'transform.percent.range': {message: 'En procentsats måste ligga mellan 0 och 100'},
  'transform.percent.rounded': {message: 'Procentsatsen avrundades till ett heltal'},
  'transform.school-year.unknown': {
    message: 'Det går inte att avgöra årskursen från klassens namn',
    hint: 'Koppla klassen till en årskurs i en översättningstabell (crosswalk), eller hämta schoolYear från en egen kolumn.',
  },
  'transform.school-year.mixed': {
    message: 'Klassen omfattar flera årskurser (som 1-3A), så den ger ingen enskild årskurs',
    hint: 'Hämta varje elevs schoolYear från en egen kolumn.',
  },
  'transform.school-year.gy-range': {
    message:
      'Startåret i klassens namn ger en årskurs i gymnasiet utanför 1-4 på referensdatumet (klassen har slutat eller har inte börjat)',
    hint: 'Kontrollera klassens namn, och att referensdatumet ligger i det läsår som exporten beskriver.',
  },
  'transform.school-type.unknown': {
    message: 'Det går inte att avgöra skolformen från klassens namn',
    hint: 'Koppla klassen till en skolform i en översättningstabell (crosswalk), eller hämta den från konfigurationen.',
  },
  'transform.id.namespace': {
    message: 'Id-namnrymden är inte ett UUID',
    hint: 'Ange id-namnrymden i ss12000.config.yaml; ss12000 init skriver en.',
  },
  'transform.id.entity': {
    message: 'Entitetsnamnet som ett id härleds för får bara innehålla bokstäver och siffror',
  },
  'transform.id.key-empty': {
    message: 'En nyckelkolumn som id:t härleds från är tom',
    hint: 'Varje nyckelkolumn behöver ett värde, annars skulle id:t inte identifiera posten.',
  },
  'transform.id.key-separator': {
    message: 'Ett nyckelvärde som id:t härleds från innehåller styrtecknet U+001F',
  },
  'transform.id.secret-missing': {
    message: 'Id:t härleds från ett personnummer, men ingen id-hemlighet är konfigurerad',
    hint: 'Ange id-hemligheten i ss12000.config.yaml eller i dess miljövariabel; ss12000 init genererar en.',
  },
  'transform.id.secret-invalid': {
    message: 'Id-hemligheten måste vara hexadecimal, minst 32 siffror (16 byte)',
    hint: 'ss12000 init genererar en lämplig hemlighet.',
  },
  // mapping: templates turning rows into entities (src/mapping)
  'mapping.crosswalk-unmapped': {
    message: 'Värdet finns inte i översättningstabellen "{crosswalk}"',
    hint: 'Lägg till värdet i översättningstabellen i mallen (eller i dess CSV-fil), eller rätta källan.',
  },
  'mapping.lookup-missing': {
    message: 'Ingen {target} har det här värdet på {lookup}',
    hint: 'Kontrollera värdet mot filen som {target}-entiteterna kommer från.',
  },
  'mapping.lookup-ambiguous': {
    message: 'Flera {target}-entiteter har det här värdet på {lookup}, så det framgår inte vilken som avses',
    hint: 'Gör uppslagsnyckeln mer specifik i mallen (lägg till exempelvis enheten), eller rätta källan.',
  },
  'mapping.extend-missing': {
    message: 'Raden kompletterar en {target} som ingen rad har skapat ({output})',
    hint: 'Kontrollera nyckeln mot filen som {target}-entiteterna kommer från.',
  },
  'mapping.lookup-unmatched': {
    message: 'Ingen {target} har det här värdet på {lookup}; referensen utelämnas',
    hint: 'Mallen tillåter detta (missing: warn); kontrollera värdet om en referens förväntades.',
  },
  'mapping.extend-unmatched': {
    message: 'Raden kompletterar en {target} som ingen rad har skapat ({output}); den tillför ingenting',
    hint: 'Mallen tillåter detta (missing: warn); kontrollera nyckeln om raden borde ha tillfört något.',
  },
  'mapping.merge-conflict': {
    message: '{field} skiljer sig mellan rader för samma {entity}; värdet från {first} behålls',
    hint: 'Se till att raderna stämmer överens i källan, eller mappa fältet från en kolumn där de gör det.',
  },
  'mapping.rejected-reference': {
    message: '{field} hänvisar till en {target} som avvisades, så även denna {entity} utelämnas',
  },
  'mapping.rejected-item': {
    message: '{field} hänvisade till en {target} som avvisades; det elementet i listan utelämnades',
  },
  // schema
  'schema.required': {message: '{entity}: det obligatoriska fältet {field} saknas'},
  'schema.required-when': {
    message: '{entity}: {field} är obligatoriskt när {condition} (profilen {profile})',
  },
  'schema.type': {message: '{field} måste vara {expected}'},
  'schema.format': {message: '{field} måste vara {expected}'},
  'schema.enum': {
    message: '{field} måste ha ett av värdena i profilen {profile}: {allowed}',
    hint: '{suggestion}',
  },
  'schema.min-items': {message: '{field} måste ha minst {limit} element'},
  'schema.unique-items': {message: '{field} får inte innehålla samma värde flera gånger'},
  'schema.range': {message: '{field} måste vara {comparison} {limit}'},
  'schema.pattern': {message: '{field} måste följa mönstret {pattern}'},
  'schema.unknown-field': {
    message: '{field} är inte ett fält i {parent} enligt SS 12000; system som följer standarden ignorerar det',
    hint: '{suggestion}',
  },
  'schema.other': {message: '{field}: {detail}'},
  // Swedish identity rules
  'identity.civic-no.empty': {message: 'Person.civicNo.value är tomt'},
  'identity.civic-no.separator': {
    message: 'Person.civicNo.value måste vara 12 tecken utan skiljetecken (ÅÅÅÅMMDDNNNN)',
    hint: 'Skriv det som {suggestion}.',
  },
  'identity.civic-no.length': {
    message: 'Person.civicNo.value måste vara 12 tecken (ÅÅÅÅMMDDNNNN)',
    hint: 'Ett tiosiffrigt ÅÅMMDDNNNN behöver sitt sekel; konvertera med transformen civic-number i en mall.',
  },
  'identity.civic-no.characters': {
    message: 'Person.civicNo.value får bara innehålla siffror, och versaler på plats 9-10 för tillfälliga personnummer',
  },
  'identity.civic-no.date': {
    message: 'Person.civicNo.value börjar inte med ett verkligt datum (samordningsnummer: dag + 60)',
  },
  'identity.civic-no.checksum': {
    message: 'Person.civicNo.value har fel kontrollsiffra (Luhn)',
    hint: 'Jämför numret med källan; troligen är det ett skrivfel.',
  },
  'identity.civic-no.birth-date': {message: 'Person.birthDate stämmer inte med datumet i civicNo'},
  'identity.organisation-number.empty': {message: 'Organisation.organisationNumber är tomt'},
  'identity.organisation-number.length': {
    message: 'Organisation.organisationNumber måste vara 10 siffror (NNNNNN-NNNN)',
  },
  'identity.organisation-number.characters': {
    message: 'Organisation.organisationNumber får bara innehålla siffror och ett bindestreck',
  },
  'identity.organisation-number.checksum': {
    message: 'Organisation.organisationNumber har fel kontrollsiffra (Luhn)',
  },
  'identity.school-unit-code': {
    message: 'Organisation.schoolUnitCode måste vara 8 siffror (skolenhetskod)',
  },
  'identity.municipality-code': {
    message: 'Organisation.municipalityCode bör vara 4 siffror, med inledande nolla (t.ex. 0180)',
  },
  'identity.eppn': {
    message: 'Värdena i Person.eduPersonPrincipalNames bör se ut som lokalt-id@domän',
  },
  // uniqueness across the input
  'unique.id': {message: 'Dubblerat {entity}-id (förekommer först vid {first})'},
  'unique.civic-no': {message: 'Två personer har samma civicNo (först vid {first})'},
  'unique.class': {
    message: 'En elev tillhör två Klass-grupper samtidigt (den andra finns vid {first})',
    hint: 'En elev tillhör exakt en Klass; avsluta det gamla medlemskapet (endDate) innan det nya börjar.',
  },
  'unique.eppn': {message: 'Två personer har samma eduPersonPrincipalName (först vid {first})'},
  // references
  'ref.unresolved': {
    message: '{field} pekar på en {target} som inte finns i indata',
    hint: 'Lägg till {target}, eller ange --allow-external-refs om den bara finns i målsystemet.',
  },
  'ref.external': {
    message: '{field} pekar på en {target} som inte finns i indata (tillåtet med --allow-external-refs)',
  },
  'ref.wrong-type': {message: '{field} måste peka på en {target}, men det id:t tillhör en {actual}'},
}
