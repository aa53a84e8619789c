/** Character codes the scanner, the strict checker and line counting compare charCodeAt results with. */
export const CH_TAB = 9
export const CH_LF = 10
export const CH_CR = 13
export const CH_SPACE = 32
export const CH_QUOTE = 34
export const CH_COMMA = 44
export const CH_COLON = 58
export const CH_OPEN_BRACKET = 91
export const CH_BACKSLASH = 92
export const CH_CLOSE_BRACKET = 93
export const CH_OPEN_BRACE = 123
export const CH_CLOSE_BRACE = 125
