import type {FaultKind} from '../sandbox/faults.js'

/** The old --latency allowed up to a minute; a range keeps the same bound on both ends. */
export const MAX_LATENCY_MS = 60_000

/** Rate flags and the fault each one drives, in the order the sandbox draws them. */
export const RATE_FLAGS = {
  'fail-5xx': 'serverError',
  'fail-throttle': 'throttle',
  'fail-reset-before': 'resetBefore',
  'fail-reset-after': 'resetAfter',
  'fail-timeout-before': 'timeoutBefore',
  'fail-timeout-after': 'timeoutAfter',
} as const satisfies Record<string, FaultKind>
