// One line of `steward doctor`: a dependency tried for real, whether it worked, and what to do when it did not.
export interface DoctorLine {
  check: string;
  ok: boolean;
  detail: string;
  /** What the admin does about a failure. */
  fix?: string;
}

export interface DoctorProbe {
  check: string;
  run(): Promise<Omit<DoctorLine, "check">>;
}
