// Seeds the demo (see README): filled in by the Turing-test work (issue 5).
export async function seedDemo(): Promise<void> {}
