package polybill

// Version is the SDK version sent in the User-Agent.
const Version = "0.1.0"
