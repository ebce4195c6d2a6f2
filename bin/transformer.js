#!/usr/bin/env node
// The `transformer` command; its code lives in src/cli (compiled to dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
