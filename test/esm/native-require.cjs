// Loads a package with Node's own `require`, outside jest's module registry. For packages published
// only as ES modules: Node 20.19 and later `require` them, jest's loader refuses them ("Must use
// import to load ES Module"), and jest hands tests its own `module` builtin, so Node's is taken
// from `process.getBuiltinModule`. Used through `moduleNameMapper` in jest.config.js.
const { createRequire } = process.getBuiltinModule('node:module');

module.exports = (name) => createRequire(__filename)(name);
