/** The check for each record kind. @module */
import { checkAlpaca } from './check-alpaca.js';
import { classificationCheck, type ClassificationCheckOptions } from './check-classification.js';
import { checkOpenAI } from './check-openai.js';
import { checkPreference } from './check-preference.js';
import { checkShareGPT } from './check-sharegpt.js';
import type { RecordCheck } from './field-issue.js';
import type { RecordKind } from './record-types.js';

/** Returns the shape check for a record kind. */
export function checkFor(kind: RecordKind, options: ClassificationCheckOptions = {}): RecordCheck {
  switch (kind) {
    case 'alpaca':
      return checkAlpaca;
    case 'sharegpt':
      return checkShareGPT;
    case 'openai':
      return checkOpenAI;
    case 'preference':
      return checkPreference;
    case 'classification':
      return classificationCheck(options);
  }
}
