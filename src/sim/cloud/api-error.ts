// The error body every Qlik Cloud REST API answers with.
import { json } from "../util/http";

export const apiError = (status: number, title: string, code: string) => json(status, { errors: [{ title, code, status: String(status) }] });
