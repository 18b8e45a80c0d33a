#!/usr/bin/env node
// Development entry: oclif reads commands from src/ through ts-node when it is installed, else from dist/.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
