/**
 * Importing this file registers the gradients training needs into the
 * installed tfjs-core, once (see ./gradients). tfjs-core's Node entry registers
 * no gradients itself.
 */
import { registerTrainingGradients } from './gradients';

registerTrainingGradients();
