/** The environment variable naming this jest run's folder of shared synthesized templates. */
export const SYNTH_CACHE_ENV = 'SNOWBALL_BROKER_TEST_SYNTH_CACHE';
