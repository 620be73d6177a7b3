import { version } from '../package.json';

/** The CLI's version: the project's, bundled in at build time. */
export const VERSION = version;
