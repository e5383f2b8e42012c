/// The version of shoal, recorded in every history row.
public let shoalVersion = "0.1.0"
