// Kept for src/app/lib/deviceSpeed.ts, which imports the cost from here: the FLOP counts live with the
// model (model/cost.ts) so that the model catalog can estimate attribution time without depending on
// attribution. Delete once the app imports them through the engine's facade.
export { attributionFlops } from '../model/cost';
