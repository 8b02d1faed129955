#!/usr/bin/env node
import '../dist/envid.js';
