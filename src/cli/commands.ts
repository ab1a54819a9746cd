// Every command, by the word that runs it: the one table the dispatcher (main.ts), `help` and the
// shell completion (handed it through CommandContext.commands) read. Adding a command is adding
// its line here.
import type { CommandTable } from './command.js';

/** The git helper actions' module: in the hot bundle. */
export const helper = () => import('./helper-command.js');

export const COMMANDS: CommandTable = {
  get: helper,
  store: helper,
  erase: helper,
  setup: () => import('./setup-command.js'),
  doctor: () => import('./doctor-command.js'),
  vault: () => import('./vault-command.js'),
  session: () => import('./session-command.js'),
  migrate: () => import('./migrate-command.js'),
  askpass: () => import('./askpass-command.js'),
  completion: () => import('./completion-command.js'),
};

