#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { launch } from './launch.js';

// The build writes the program's bundle beside this file and names it, with its content hash.
declare const POSTURE_PROGRAM: { file: string; hash: string };

await launch(fileURLToPath(new URL(POSTURE_PROGRAM.file, import.meta.url)), POSTURE_PROGRAM.hash);
