import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Replaces `@aws-sdk/credential-provider-node` in the function bundles (an esbuild alias set by
 * BrokerFunction): Lambda hands a function its role's credentials in the environment, so the
 * default chain's SSO, STS, ini-file and instance-metadata providers would only be dead weight.
 * The CLI keeps the full chain; the sandbox gives each function its credentials the same way.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
