#!/usr/bin/env node
// Runnable entry: the compiled CLI lives in dist/ (built by `npm ci` through the root prepare script).
import '../dist/cli.js';
