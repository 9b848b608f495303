/* SPDX-License-Identifier: MIT */
/* clrfs: command line; opens the dump and its runtime, then mounts or prints. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dump.h"
#include "runtime.h"
#include "fs.h"

#ifndef CLRFS_VERSION
#error "the build defines CLRFS_VERSION (meson.project_version())"
#endif

/* Exit codes: 1 for a failure on a valid command line, 2 for a bad one. */
#define EXIT_USAGE 2

enum mode { MODE_MOUNT, MODE_PRINT, MODE_LIST, MODE_READLINK, MODE_EXPORT };

/* What the command line asked for. The arrays are NULL-terminated. */
struct cli {
	enum mode mode;
	const char *path; /* --print/--list/--readlink/--export */
	const char *dump;
	struct fs_mount_options mount;
	char **search_paths; /* absolute: fuse_daemonize() moves to "/" */
	char **fuse_opts;    /* the -o options for FUSE (clrfs's own taken out) */
	size_t nsearch, nopts;
};

enum { OPT_SEARCH_PATH = 256, OPT_PRINT, OPT_LIST, OPT_READLINK, OPT_EXPORT, OPT_NO_URING };

static const struct option long_opts[] = {
	{"search-path", required_argument, NULL, OPT_SEARCH_PATH},
	{"print", required_argument, NULL, OPT_PRINT},
	{"list", required_argument, NULL, OPT_LIST},
	{"readlink", required_argument, NULL, OPT_READLINK},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"no-uring", no_argument, NULL, OPT_NO_URING},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	fputs("usage: clrfs [options] DUMP MOUNTPOINT   mount (unmount with fusermount3 -u)\n"
	      "       clrfs --print PATH DUMP           print one file of the tree\n"
	      "       clrfs --list PATH DUMP            list one directory of the tree\n"
	      "       clrfs --readlink PATH DUMP        print one symlink's target\n"
	      "       clrfs --export DIR DUMP           write the whole tree into DIR\n"
	      "\n"
	      "options:\n"
	      "  -f                  stay in the foreground\n"
	      "  -d                  FUSE debug trace on stderr (implies -f)\n"
	      "  -s                  one thread answers every request (no io_uring)\n"
	      "  --no-uring          answer through /dev/fuse even where the kernel\n"
	      "                      offers FUSE over io_uring\n"
	      "  -o OPT[,OPT...]     mount options: cache=SIZE (the memory kept for\n"
	      "                      the tree, default 256M; K, M, G; 0: no bound),\n"
	      "                      and FUSE's own (allow_other, ...)\n"
	      "  --search-path DIR   where to look for the dumped process's files\n"
	      "                      (libcoreclr.so, ...); may be repeated\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       print the version\n",
	      out);
}

/* Appends s to a NULL-terminated array of n entries; -ENOMEM. */
static int push(char ***array, size_t *n, char *s)
{
	char **grown = realloc(*array, (*n + 2) * sizeof(**array));

	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = s;
	grown[*n] = NULL;
	*array = grown;
	return 0;
}

static void cli_destroy(struct cli *c)
{
	for (size_t i = 0; i < c->nsearch; i++)
		free(c->search_paths[i]);
	free(c->search_paths);
	for (size_t i = 0; i < c->nopts; i++)
		free(c->fuse_opts[i]);
	free(c->fuse_opts);
}

/* The default of -o cache: nodes and rendered bytes kept by a mount. */
#define CACHE_DEFAULT ((size_t)256 << 20)

/* A size: digits, then K, M or G (powers of 1024) or nothing. */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (*end || v > (SIZE_MAX >> shift))
		return -EINVAL;
	*out = (size_t)v << shift;
	return 0;
}

/* One -o value: clrfs's own options (cache=SIZE) are taken; the rest go to
 * FUSE, in their order. */
static int take_opts(struct cli *c, const char *arg)
{
	char *copy = strdup(arg), *rest = calloc(1, strlen(arg) + 1), *save = NULL;
	int rc = copy && rest ? 0 : -ENOMEM;

	for (char *o = rc ? NULL : strtok_r(copy, ",", &save); o && !rc;
	     o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, "cache=", 6)) {
			if (*rest)
				strcat(rest, ",");
			strcat(rest, o);
		} else if (parse_size(o + 6, &c->mount.cache)) {
			fprintf(stderr, "clrfs: -o %s: not a size (bytes, or with K, M or G)\n", o);
			rc = -EINVAL;
		}
	}
	if (!rc && *rest) {
		rc = push(&c->fuse_opts, &c->nopts, rest);
		rest = rc ? rest : NULL;
	}
	free(rest);
	free(copy);
	return rc;
}

static int set_mode(struct cli *c, enum mode m, const char *path)
{
	if (c->mode != MODE_MOUNT) {
		fprintf(stderr, "clrfs: only one of --print, --list, --readlink, --export\n");
		return -EINVAL;
	}
	c->mode = m;
	c->path = path;
	return 0;
}

/* Fills c from argv. Returns 0 to go on, or the process exit status (with
 * the message already written) when there is nothing more to do. */
static int parse(int argc, char **argv, struct cli *c)
{
	char *abs;
	int opt, rc = 0;

	while (!rc && (opt = getopt_long(argc, argv, "fdso:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			c->mount.foreground = true;
			break;
		case 'd':
			c->mount.debug = true;
			break;
		case 's':
			c->mount.single_thread = true;
			break;
		case OPT_NO_URING:
			c->mount.no_uring = true;
			break;
		case 'o':
			rc = take_opts(c, optarg);
			break;
		case OPT_SEARCH_PATH:
			abs = realpath(optarg, NULL);
			if (!abs) {
				fprintf(stderr, "clrfs: %s: %s\n", optarg, strerror(errno));
				return EXIT_FAILURE;
			}
			rc = push(&c->search_paths, &c->nsearch, abs);
			if (rc)
				free(abs);
			break;
		case OPT_PRINT:
			rc = set_mode(c, MODE_PRINT, optarg);
			break;
		case OPT_LIST:
			rc = set_mode(c, MODE_LIST, optarg);
			break;
		case OPT_READLINK:
			rc = set_mode(c, MODE_READLINK, optarg);
			break;
		case OPT_EXPORT:
			rc = set_mode(c, MODE_EXPORT, optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("clrfs %s\n", CLRFS_VERSION);
			return EXIT_SUCCESS;
		default:
			rc = -EINVAL;
			break;
		}
	}
	if (rc == -ENOMEM) {
		fprintf(stderr, "clrfs: %s\n", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	if (!rc && argc - optind != (c->mode == MODE_MOUNT ? 2 : 1))
		rc = -EINVAL;
	if (rc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c->dump = argv[optind];
	c->mount.mountpoint = c->mode == MODE_MOUNT ? argv[optind + 1] : NULL;
	c->mount.fuse_opts = (const char *const *)c->fuse_opts;
	return 0;
}

/* For scripts/bench: with CLRFS_REPORT_MEMORY set, print-mode runs end by
 * writing the process's anonymous resident memory to stderr. */
static void report_memory(void)
{
	char line[256];
	FILE *f;

	if (!getenv("CLRFS_REPORT_MEMORY") || !(f = fopen("/proc/self/status", "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "RssAnon:", 8) == 0)
			fprintf(stderr, "clrfs: %s", line);
	}
	fclose(f);
}

/* Runs what c asks for on an opened tree; returns the exit status. */
static int run(struct cli *c, struct fs *fs)
{
	int rc = 0;

	switch (c->mode) {
	case MODE_MOUNT:
		return fs_mount(fs, &c->mount) ? EXIT_FAILURE : EXIT_SUCCESS;
	case MODE_PRINT:
		rc = fs_print(fs, c->path, stdout);
		break;
	case MODE_LIST:
		rc = fs_list(fs, c->path, stdout);
		break;
	case MODE_READLINK:
		rc = fs_readlink(fs, c->path, stdout);
		break;
	case MODE_EXPORT:
		rc = fs_export(fs, c->path, c->mount.cache);
		break;
	}
	if (rc)
		fprintf(stderr, "clrfs: %s: %s\n", c->path, fs_reason(rc));
	report_memory();
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct dump_options dopts;
	struct dump *d = NULL;
	struct rt *rt = NULL;
	struct fs *fs = NULL;
	char err[512] = "", rt_err[512] = "";
	int status, rc;

	/* One malloc arena: the tree's nodes are made and freed by whichever
	 * thread answers, and with an arena per thread the blocks one frees
	 * are not reused by the others (walking a 3.4-million-file tree
	 * within the default budget: VmHWM 427 MB with them, 348 MB without). */
	mallopt(M_ARENA_MAX, 1);
	memset(&c, 0, sizeof(c));
	c.mount.cache = CACHE_DEFAULT;
	status = parse(argc, argv, &c);
	if (status || c.dump == NULL)
		goto out;
	status = EXIT_FAILURE;
	/* Before the dump is read: mounting on anything but a directory would
	 * leave a mount whose every access fails. */
	if (c.mode == MODE_MOUNT) {
		struct stat st;
		if (stat(c.mount.mountpoint, &st) < 0) {
			fprintf(stderr, "clrfs: %s: %s\n", c.mount.mountpoint, strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "clrfs: %s: not a directory: the mount point must be one\n",
				c.mount.mountpoint);
			goto out;
		}
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.search_paths = (const char *const *)c.search_paths;
	rc = dump_open(c.dump, &dopts, &d, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "clrfs: %s: %s\n", c.dump, err[0] ? err : fs_reason(rc));
		goto out;
	}
	rc = rt_open(d, &rt, rt_err, sizeof(rt_err));
	if (rc) {
		if (!rt_err[0])
			snprintf(rt_err, sizeof(rt_err), "%s", fs_reason(rc));
		if (rc == -ENOENT) {
			fprintf(stderr, "clrfs: %s: %s\n", c.dump, rt_err);
			goto out;
		}
		fprintf(stderr, "clrfs: warning: %s\n", rt_err);
		rt = NULL;
	}
	rc = fs_new(d, rt, rt_err, c.dump, &fs);
	if (rc) {
		fprintf(stderr, "clrfs: %s\n", fs_reason(rc));
		goto out;
	}
	status = run(&c, fs);
out:
	fs_free(fs);
	if (rt)
		rt_close(rt);
	if (d)
		dump_close(d);
	cli_destroy(&c);
	return status;
}
