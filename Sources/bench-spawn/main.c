// bench-spawn STDOUT STDERR PROGRAM [ARG]...
//
// Runs PROGRAM with its stdout and stderr in the given files and prints one
// line: wall seconds from spawn to exit, the child's peak RSS in KiB
// (ru_maxrss from wait4), its exit code (-1 if a signal ended it) and the
// signal (0 if none).
//
// It exists because Linux carries the parent's memory high-water mark into a
// child across exec (a vfork-style posix_spawn shares the parent's mm until
// exec), so a child spawned straight from shoal-bench (tens of MB) would
// report at least shoal-bench's peak. Spawned from this small process, the
// floor is this helper's own footprint, about 5 MB (the Swift toolchain links
// libswiftCore into it), far below any Swift process's own peak.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench-spawn STDOUT STDERR PROGRAM [ARG]...\n");
        return 2;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);

    struct timespec started, ended;
    clock_gettime(CLOCK_MONOTONIC, &started);
    pid_t pid;
    int code = posix_spawn(&pid, argv[3], &actions, NULL, argv + 3, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (code != 0) {
        fprintf(stderr, "bench-spawn: cannot start %s: %s\n", argv[3], strerror(code));
        return 2;
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "bench-spawn: wait4: %s\n", strerror(errno));
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &ended);
    double seconds = (double)(ended.tv_sec - started.tv_sec) + (double)(ended.tv_nsec - started.tv_nsec) / 1e9;
    printf("%.6f %ld %d %d\n", seconds, usage.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 0;
}
