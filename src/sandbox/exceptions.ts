/**
 * NetServer refuses a call by answering Succeeded=false with an SoExceptionInfo header (FACTS.md §6),
 * not with a SOAP fault. Handlers throw SoException; the dispatcher turns it into that answer.
 */
export interface SoExceptionInfo {
  /** Short type name, e.g. SoSessionException (the real format is undocumented; short names are what clients match on). */
  type: string
  message: string
  friendlyText?: string
  source?: string
  stackTrace?: string
  parameters?: Record<string, string>
  inner?: SoExceptionInfo
}

export class SoException extends Error {
  override name = 'SoException'
  constructor(readonly info: SoExceptionInfo) {
    super(info.message)
  }
}

export function sessionException(reason: string): SoException {
  return new SoException({
    type: 'SoSessionException',
    message: `The ticket is not valid or has expired: ${reason}.`,
    friendlyText: 'Your session is not valid or has expired. Log in again to get a new ticket.',
    source: 'SoCore',
    stackTrace: '   at SuperOffice.CRM.Security.SoSession.Authenticate(SoCredentials credentials)',
  })
}

/** Not-found carries a database inner exception, as NetServer's would, so clients exercise the inner chain. */
export function notFoundException(entity: string, table: string, column: string, id: number): SoException {
  return new SoException({
    type: 'SoNotFoundException',
    message: `${entity} with id ${id} was not found.`,
    friendlyText: `The ${entity} ${id} does not exist. It may have been deleted.`,
    stackTrace: `   at SuperOffice.CRM.Services.Implementation.EMailAgentImplementation.Load${entity}(Int32 id)`,
    parameters: {[`${entity}Id`]: String(id)},
    inner: {
      type: 'SoDbAccessException',
      message: `No row in table ${table} where ${column} = ${id}.`,
      source: 'SoDataBase',
      stackTrace: '   at SuperOffice.Data.SoDataReader.ReadSingleRow()',
    },
  })
}

/**
 * A row pointing at a row that does not exist, as SQL Server refuses it under NetServer: the data layer's
 * exception with the constraint's text inside.
 */
export function foreignKeyException(table: string, column: string, target: string, id: number): SoException {
  return new SoException({
    type: 'SoDbAccessException',
    message: `Could not save ${table}: ${column} ${id} does not refer to an existing ${target}.`,
    friendlyText: `The ${target} ${id} does not exist.`,
    source: 'SoDataBase',
    stackTrace: '   at SuperOffice.Data.SoDataCommand.ExecuteNonQuery()',
    parameters: {[column]: String(id)},
    inner: {
      type: 'SqlException',
      message: `The INSERT statement conflicted with the FOREIGN KEY constraint "FK_${table}_${target}". The conflict occurred in database "SuperOffice", table "crm7.${target}", column '${column}'.`,
      source: 'Core Microsoft SqlClient Data Provider',
    },
  })
}

export function validationException(field: string, message: string): SoException {
  return new SoException({type: 'SoValidationException', message, friendlyText: message, parameters: {Field: field}})
}

export function notImplementedException(service: string, operation: string): SoException {
  const message = `The soemail sandbox does not implement ${service}.${operation}; it stands in for the e-mail account operations only.`
  return new SoException({type: 'SoNotImplementedException', message})
}

/** A bug in a handler still reaches the client the way NetServer reports unexpected exceptions. */
export function unexpectedException(error: unknown): SoExceptionInfo {
  const message = error instanceof Error ? error.message : String(error)
  return {type: 'Exception', message: `Unexpected error in the sandbox: ${message}`}
}
