// aws-cdk-lib's CloudFormation validator, served by the one of this jest worker (see
// test/helpers/cfn-validate-environment.js): the same engine and rules, created once per worker
// instead of once per test file. Only what aws-cdk-lib uses of the package is here.
const host = globalThis.__snowballBrokerCfnValidate;

jest.mock(host.path, () => {
  class TemplateContent {
    constructor(content, name) {
      this.content = content;
      this.name = name;
    }
  }
  class CompositeEngine {
    constructor(config) {
      this.config = JSON.stringify(config);
    }
    validateTemplate(template, options) {
      const content = typeof template.content === 'string' ? template.content : Buffer.from(template.content).toString('utf8');
      return JSON.parse(host.validate(this.config, content, template.name, JSON.stringify(options ?? {})));
    }
    /** The engine is the worker's, kept for the next test file. */
    free() {}
  }
  return { version: host.version, TemplateContent, CompositeEngine };
});
