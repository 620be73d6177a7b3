// The SDK prints a multi-line notice about Node 20's end of support on the first client built;
// it says nothing about the code under test, so the suite's output stays readable without it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
