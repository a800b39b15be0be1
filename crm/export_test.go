package crm

// DecodeError is the crm error-envelope reader, for the package's black-box tests.
var DecodeError = decodeError
