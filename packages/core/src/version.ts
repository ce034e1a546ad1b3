/** Package version, reported in the `debug` log line when a service is bound. */
export const VERSION = '0.1.0';
