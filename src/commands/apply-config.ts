import type { Command, Option } from 'commander';
import { UserError } from '../core/errors.js';
import { CONFIG_KEYS, type ConfigFile } from '../io/config-file.js';

/**
 * Fill the options of `cmd` the user did not give from the config file, through each flag's own
 * parser (so `max_spend: lots` fails as `--max-spend lots` would, with the file and line).
 */
export function applyConfig(cmd: Command, config: ConfigFile | undefined): void {
  if (!config) return;
  for (const [key, v] of config.values) {
    const flag = CONFIG_KEYS[key].flag;
    const option: Option | undefined = cmd.options.find((o) => o.attributeName() === flag);
    if (!option) continue;
    const source = cmd.getOptionValueSource(flag);
    if (source !== undefined && source !== 'default') continue;
    let value: unknown = v.text;
    if (option.parseArg) {
      try {
        value = option.parseArg(v.text, undefined);
      } catch (err) {
        throw new UserError(`${config.path}:${v.line} ${key}: ${(err as Error).message}`, `for example \`${CONFIG_KEYS[key].example}\``);
      }
    }
    cmd.setOptionValueWithSource(flag, value, 'config');
  }
}
