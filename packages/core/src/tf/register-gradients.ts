/**
 * Importing this file registers the gradients training needs into the
 * installed tfjs-core, once (see ./gradients), and the gradient of the one
 * optional kernel core does not wrap in a customGrad (`TunekitLinear`, see
 * model/fused-linear.ts). tfjs-core's Node entry registers no gradients itself.
 */
import { registerLinearGradient } from '../model/fused-linear';
import { registerTrainingGradients } from './gradients';

registerTrainingGradients();
registerLinearGradient();
