'use strict';
module.exports = require('./build/Release/batch_writer.node');
