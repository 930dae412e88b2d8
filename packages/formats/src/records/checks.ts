/** The check for each record kind. @module */
import { checkAlpaca } from './check-alpaca.js';
import { classificationCheck, type ClassificationCheckOptions } from './check-classification.js';
import { checkOpenAi } from './check-openai.js';
import { checkPreference } from './check-preference.js';
import { checkShareGpt } from './check-sharegpt.js';
import type { RecordCheck } from './field-issue.js';
import type { RecordKind } from './record-types.js';

/** Returns the shape check for a record kind. */
export function checkFor(kind: RecordKind, options: ClassificationCheckOptions = {}): RecordCheck {
  switch (kind) {
    case 'alpaca':
      return checkAlpaca;
    case 'sharegpt':
      return checkShareGpt;
    case 'openai':
      return checkOpenAi;
    case 'preference':
      return checkPreference;
    case 'classification':
      return classificationCheck(options);
  }
}
