export { attentionRollout, lastLayerAttention } from './attention';
export { AttributionContext, DEFAULT_BASELINE_OPTIONS, type BaselineOptions, type Diagnostics } from './context';
export { gradientTimesInput, IG_ALPHA_MIN, igGrid, integratedGradients, saliency, trapezoidWeights, type IgGrid } from './integratedGradients';
export { ablationMasks, lasso, lassoCV, type LassoCV, type LassoFit } from './lasso';
export { METHODS, methodById, parseMethods, type AttributionMethod, type MethodFamily } from './methods';
