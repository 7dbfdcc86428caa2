// Runs the @nestjs/swagger CLI plugin inside ts-jest, with the options nest-cli.json gives `nest build`.
const transformer = require('@nestjs/swagger/plugin');
const { compilerOptions } = require('../nest-cli.json');

const options = compilerOptions.plugins.find((plugin) => plugin.name === '@nestjs/swagger').options;

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) => transformer.before(options, compiler.program);
