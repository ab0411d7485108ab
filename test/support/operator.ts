/** The operator's bearer token on the test stack (OPERATOR_TOKEN, a test value): GET /api/operator/health. */
export const TEST_OPERATOR_TOKEN = 'slotcast-test-operator-token-0123456789';
