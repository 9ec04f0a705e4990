// asl-validator 4 ships no type declarations; this is the part of its API the infra tests call.
declare module 'asl-validator' {
  interface StateMachineError {
    'Error code': string;
    Message: string;
  }

  interface ValidationResult {
    isValid: boolean;
    errors: StateMachineError[];
    errorsText(separator?: string): string;
  }

  function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): ValidationResult;

  export = validator;
}
