#!/usr/bin/env node
// The `transformer` command; its code lives in src/cli (compiled to dist/).
import { main, printWarningsOnOneLine } from '../dist/src/cli/main.js';

printWarningsOnOneLine();
process.exitCode = await main(process.argv.slice(2));
