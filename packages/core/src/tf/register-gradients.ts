/**
 * tfjs-core defines its gradients in separate modules and registers none of
 * them from its Node entry point. Importing this file registers them all once
 * (the registry is global, so a second copy is harmless).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
