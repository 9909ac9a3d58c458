/** The placeholder that stands for a variable part of a log template. */
export const WILDCARD = '<*>';
