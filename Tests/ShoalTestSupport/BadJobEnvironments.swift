/// `--partition auto`'s variables, missing or wrong, each with what shoal's
/// message must say (the variable, its value, what to set): the same cases
/// for `Partition` in process and for the built binary, which must exit 2.
public enum BadJobEnvironments {
    public static let cases: [(environment: [String: String], message: String)] = [
        ([:], "--partition auto needs SHOAL_PARTITIONS, the number of slices, the Job's completions, in the environment"),
        (["JOB_COMPLETION_INDEX": "0"], "--partition auto needs SHOAL_PARTITIONS, the number of slices, the Job's completions, in the environment"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": ""], "SHOAL_PARTITIONS is empty; set it to the number of slices, the Job's completions"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": "three"], "SHOAL_PARTITIONS is `three`, not a whole number 0 or more"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": " 3"], "SHOAL_PARTITIONS is ` 3`, not a whole number"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": "-3"], "SHOAL_PARTITIONS is `-3`, not a whole number 0 or more"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": "0"], "SHOAL_PARTITIONS is `0`; it must be at least 1"),
        (["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": "99999999999999999999"], "SHOAL_PARTITIONS `99999999999999999999` is too large"),
        (["SHOAL_PARTITIONS": "3"], "--partition auto needs JOB_COMPLETION_INDEX, the pod's index, which a Job with completionMode: Indexed sets (from 0), in the environment"),
        (["JOB_COMPLETION_INDEX": "", "SHOAL_PARTITIONS": "3"], "JOB_COMPLETION_INDEX is empty; set it to the pod's index"),
        (["JOB_COMPLETION_INDEX": "first", "SHOAL_PARTITIONS": "3"], "JOB_COMPLETION_INDEX is `first`, not a whole number 0 or more"),
        (["JOB_COMPLETION_INDEX": "-1", "SHOAL_PARTITIONS": "3"], "JOB_COMPLETION_INDEX is `-1`, not a whole number 0 or more"),
        (["JOB_COMPLETION_INDEX": "1.0", "SHOAL_PARTITIONS": "3"], "JOB_COMPLETION_INDEX is `1.0`, not a whole number"),
        (["JOB_COMPLETION_INDEX": "3", "SHOAL_PARTITIONS": "3"],
         "JOB_COMPLETION_INDEX is `3` but SHOAL_PARTITIONS is `3`: indexes run from 0 to 2; set SHOAL_PARTITIONS to the Job's completions"),
        (["JOB_COMPLETION_INDEX": "7", "SHOAL_PARTITIONS": "1"], "JOB_COMPLETION_INDEX is `7` but SHOAL_PARTITIONS is `1`: indexes run from 0 to 0"),
    ]
}
