/**
 * Importing this file registers the gradients training needs into the
 * installed tfjs-core, once (see ./gradients), and the gradient of the one
 * optional kernels core does not wrap in a customGrad (`TunekitLinear`, see
 * model/fused-linear.ts, and `TunekitLoRALinear`, model/fused-lora-linear.ts). tfjs-core's Node entry registers no gradients itself.
 */
import { registerLinearGradient } from '../model/fused-linear';
import { registerLoRALinearGradient } from '../model/fused-lora-linear';
import { registerTrainingGradients } from './gradients';

registerTrainingGradients();
registerLinearGradient();
registerLoRALinearGradient();
