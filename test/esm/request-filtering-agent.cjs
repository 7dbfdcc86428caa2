module.exports = require('./native-require.cjs')('request-filtering-agent');
