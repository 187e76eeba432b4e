// Errors of the transport layer: a refused command, or a reply that failed its schema.

/** The integration refused a command ({code, message} from HA's websocket, or an HTTP status). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The integration answered with something other than the documented shape. */
export class ApiSchemaError extends Error {
  override name = "ApiSchemaError";
}
