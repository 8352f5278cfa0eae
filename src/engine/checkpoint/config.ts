// config.json → ModelConfig. The family registry (architectures/families) says which architectures
// exist and parses each; every setting that would change the math in a way the compiler does not
// implement fails there, by name, instead of producing a silently wrong model.

import { familyOfArchitecture, familyOfModelType, SUPPORTED_ARCHITECTURES } from '../architectures/families';
import { CONFIG_FIELD_FILE, ConfigFieldError, configFail, isObject } from '../architectures/configFields';
import { CheckpointError } from './errors';
import type { ModelConfig } from './types';

export { SUPPORTED_ARCHITECTURES };

const supportedList = () => SUPPORTED_ARCHITECTURES.join(', ');

/** The config as its family reads it; any bad field fails as a CheckpointError on config.json. */
export function parseModelConfig(json: unknown): ModelConfig {
  try {
    if (!isObject(json)) configFail('is not a JSON object');
    const hfArchitecture = readArchitecture(json);
    const family = familyOfArchitecture(hfArchitecture);
    if (!family) return configFail(`unsupported architecture ${hfArchitecture}; supported: ${supportedList()}`);
    return family.parseConfig(json, hfArchitecture);
  } catch (e) {
    if (e instanceof ConfigFieldError) throw new CheckpointError(e.message, { file: CONFIG_FIELD_FILE });
    throw e;
  }
}

function readArchitecture(raw: Record<string, unknown>): string {
  const architectures = raw.architectures;
  if (Array.isArray(architectures) && architectures.length > 0) {
    if (typeof architectures[0] !== 'string') configFail('"architectures"[0] is not a string');
    if (architectures.length > 1) {
      configFail(`lists several architectures (${architectures.join(', ')}); expected exactly one of ${supportedList()}`);
    }
    return architectures[0];
  }
  if (architectures !== undefined && architectures !== null && !Array.isArray(architectures)) {
    configFail('"architectures" is not an array');
  }
  const modelType = raw.model_type;
  const byModelType = typeof modelType === 'string' ? familyOfModelType(modelType) : undefined;
  if (byModelType) return byModelType.hfArchitectures[0]!;
  return configFail(
    `has no "architectures" entry${typeof modelType === 'string' ? ` (model_type ${modelType})` : ''}; supported: ${supportedList()}`,
  );
}
