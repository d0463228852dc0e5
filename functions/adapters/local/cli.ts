console.log('cli ok', process.version);
