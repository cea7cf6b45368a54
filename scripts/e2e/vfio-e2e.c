// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-e2e: the VFIO user of the end-to-end test, run in the guest.
 *
 *   vfio-e2e basic {group|cdev} SYSFS-DEVICE [edu] [id VENDOR:DEVICE] [any-reset]
 *	open the device through the group + type1 container path or through
 *	its cdev + iommufd, read its device, region and irq info, check the
 *	vendor and device id in config space against sysfs (or the given
 *	ids), reset it (if it says it can; otherwise the reset must fail,
 *	but with "any-reset"),
 *	map and unmap DMA through the IOMMU and close.  With "edu", drive
 *	QEMU's edu device: copy a buffer through its DMA engine from one
 *	mapped IOVA into the device and back to another, and compare.
 *
 *   vfio-e2e hold {group|cdev} SYSFS-DEVICE READY-FILE [req] [timeout S]
 *	open the device, create READY-FILE and keep the device open until
 *	the driver asks for it back through the request irq (with "req": an
 *	eventfd on VFIO_PCI_REQ_IRQ_INDEX, and the hold fails if anything
 *	else ends it) or until SIGUSR1, then close.  Fails after S seconds
 *	(default 60).
 *
 *   vfio-e2e fail-nth {group|cdev} SYSFS-DEVICE
 *	the fail-nth sweep, as iommufd's selftest iommufd_fail_nth does it:
 *	the path's uAPI sequence is cut into steps (group: container and
 *	group open with SET_CONTAINER and SET_IOMMU, GET_DEVICE_FD, DMA map
 *	and unmap, region and irq setup, close; cdev: cdev open,
 *	BIND_IOMMUFD, IOAS_ALLOC with ATTACH_IOMMUFD_PT, then the same).
 *	For each step and n = 1, 2, ... the steps before it run, then the
 *	step runs with /proc/self/task/TID/fail-nth set to n, which fails the
 *	n-th fault point the kernel passes (failslab, fail_page_alloc,
 *	fail_vfio: whichever the guest configured to fail), until the step
 *	passes n points without one failing.  A step that fails must return
 *	an error, never crash or hang; one that absorbs the failure (a
 *	fallback, a retry) must leave objects that the rest of the sequence
 *	uses with success; and the run with n + 1 (the steps before again,
 *	then this one through its first n points) must pass them all, so a
 *	failure that left anything half set up fails the sweep.  Prints per step
 *	its count of fault points, how many failed the call and how many
 *	were absorbed, and the total of armed runs.
 *
 *   vfio-e2e fail-nth-probe {group|cdev} SYSFS-DEVICE DRIVER
 *	the probe of DRIVER on the device (unbound, its driver_override set
 *	to DRIVER), swept the same way: where the VFIO core's own fault
 *	points (fail_vfio) are, in the allocation and registration of the
 *	vfio_device.  For n = 1, 2, ... the bind runs with fail-nth set to n:
 *	a bind that fails must leave the device unbound, one that succeeds
 *	must give a device that the path's whole sequence opens and uses,
 *	and the next run binds again, so that anything a failure left
 *	registered fails it; unbound unarmed after each run.
 *
 * Prints what it does on stdout; an error is one line "vfio-e2e: error:
 * ..." on stderr and exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

struct dev {
	const char *sysfs;	/* /sys/bus/.../devices/NAME */
	const char *name;	/* NAME */
	int cdev;		/* the cdev + iommufd path, else the group one */
	int container, group, iommufd, fd;
	uint32_t ioas;
	struct vfio_device_info info;
};

/* The probe sweep opens the device once a run: without the chatter. */
static int quiet;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vfio-e2e: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* snprintf that fails the run instead of truncating. */
static void fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int len;

	va_start(ap, f);
	len = vsnprintf(buf, n, f, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n)
		die("name too long: %s", buf);
}

static void xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) < 0)
		die("%s: %s", what, strerror(errno));
}

static int xopen(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* The last component of the link SYSFS/LINK, e.g. the group number. */
static void link_name(const char *sysfs, const char *link, char *out, size_t n)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t len;
	const char *base;

	fmt(path, sizeof(path), "%s/%s", sysfs, link);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		die("readlink %s: %s", path, strerror(errno));
	target[len] = '\0';
	base = strrchr(target, '/');
	fmt(out, n, "%s", base ? base + 1 : target);
}

static unsigned long sysfs_hex(const char *sysfs, const char *file)
{
	char path[PATH_MAX];
	unsigned long v;
	FILE *f;

	fmt(path, sizeof(path), "%s/%s", sysfs, file);
	f = fopen(path, "r");
	if (!f)
		die("open %s: %s", path, strerror(errno));
	if (fscanf(f, "%lx", &v) != 1)
		die("%s: not a number", path);
	fclose(f);
	return v;
}

static void open_group(struct dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char grp[64], path[PATH_MAX];

	link_name(d->sysfs, "iommu_group", grp, sizeof(grp));
	d->container = xopen("/dev/vfio/vfio", O_RDWR);
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION: not %d", VFIO_API_VERSION);
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		die("VFIO_CHECK_EXTENSION: no VFIO_TYPE1v2_IOMMU");
	fmt(path, sizeof(path), "/dev/vfio/%s", grp);
	d->group = xopen(path, O_RDWR);
	xioctl(d->group, VFIO_GROUP_GET_STATUS, &status, "VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s is not viable", grp);
	xioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container, "VFIO_GROUP_SET_CONTAINER");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		die("VFIO_SET_IOMMU(TYPE1v2): %s", strerror(errno));
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->name);
	if (d->fd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD(%s): %s", d->name, strerror(errno));
	if (!quiet)
		printf("group %s: device %s open\n", grp, d->name);
}

static void open_cdev(struct dev *d)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	char vdev[64], path[PATH_MAX];
	struct dirent *e;
	DIR *dir;

	fmt(path, sizeof(path), "%s/vfio-dev", d->sysfs);
	dir = opendir(path);
	if (!dir)
		die("opendir %s: %s", path, strerror(errno));
	vdev[0] = '\0';
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, "vfio", 4))
			fmt(vdev, sizeof(vdev), "%s", e->d_name);
	closedir(dir);
	if (!vdev[0])
		die("%s: no vfio cdev", path);
	fmt(path, sizeof(path), "/dev/vfio/devices/%s", vdev);
	d->fd = xopen(path, O_RDWR);
	d->iommufd = xopen("/dev/iommu", O_RDWR);
	bind.iommufd = d->iommufd;
	xioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind, "VFIO_DEVICE_BIND_IOMMUFD");
	xioctl(d->iommufd, IOMMU_IOAS_ALLOC, &alloc, "IOMMU_IOAS_ALLOC");
	d->ioas = alloc.out_ioas_id;
	attach.pt_id = d->ioas;
	xioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	if (!quiet)
		printf("cdev %s: device %s bound (devid %u), attached to ioas %u (pt %u)\n",
		       vdev, d->name, bind.out_devid, d->ioas, attach.pt_id);
}

static void dev_open(struct dev *d, const char *path, const char *sysfs)
{
	const char *slash = strrchr(sysfs, '/');

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->iommufd = d->fd = -1;
	d->sysfs = sysfs;
	d->name = slash ? slash + 1 : sysfs;
	if (!strcmp(path, "cdev"))
		d->cdev = 1;
	else if (strcmp(path, "group"))
		die("unknown path %s: group or cdev", path);
	if (d->cdev)
		open_cdev(d);
	else
		open_group(d);
	d->info.argsz = sizeof(d->info);
	xioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info, "VFIO_DEVICE_GET_INFO");
	if (!quiet)
		printf("info: flags %#x, %u regions, %u irqs\n",
		       d->info.flags, d->info.num_regions, d->info.num_irqs);
}

static void dev_close(struct dev *d)
{
	int *fds[] = { &d->fd, &d->group, &d->container, &d->iommufd };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0 && close(*fds[i]) < 0)
			die("close: %s", strerror(errno));
		*fds[i] = -1;
	}
	printf("closed\n");
}

static void region(struct dev *d, uint32_t index, struct vfio_region_info *r)
{
	memset(r, 0, sizeof(*r));
	r->argsz = sizeof(*r);
	r->index = index;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, r) < 0)
		die("VFIO_DEVICE_GET_REGION_INFO(%u): %s", index, strerror(errno));
}

static void rw(struct dev *d, int write, uint32_t index, uint64_t off, void *buf, size_t len)
{
	struct vfio_region_info r;
	ssize_t n;

	region(d, index, &r);
	if (off + len > r.size)
		die("region %u: access at %#llx beyond its size %#llx", index,
		    (unsigned long long)off, (unsigned long long)r.size);
	n = write ? pwrite(d->fd, buf, len, r.offset + off) : pread(d->fd, buf, len, r.offset + off);
	if (n != (ssize_t)len)
		die("%s region %u at %#llx: %s", write ? "write" : "read", index,
		    (unsigned long long)off, n < 0 ? strerror(errno) : "short");
}

static uint32_t rd32(struct dev *d, uint32_t index, uint64_t off)
{
	uint32_t v;

	rw(d, 0, index, off, &v, sizeof(v));
	return v;
}

static void wr32(struct dev *d, uint32_t index, uint64_t off, uint32_t v)
{
	rw(d, 1, index, off, &v, sizeof(v));
}

static void check_regions_irqs(struct dev *d)
{
	struct vfio_region_info cfg;
	uint32_t i;

	if (!(d->info.flags & VFIO_DEVICE_FLAGS_PCI))
		die("not a PCI device (flags %#x)", d->info.flags);
	if (d->info.num_regions < VFIO_PCI_NUM_REGIONS)
		die("%u regions, fewer than VFIO_PCI_NUM_REGIONS", d->info.num_regions);
	for (i = 0; i < d->info.num_regions; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		/* Only a VGA device has the VGA region: -EINVAL otherwise. */
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &r) < 0) {
			if (i == VFIO_PCI_VGA_REGION_INDEX && errno == EINVAL)
				continue;
			die("VFIO_DEVICE_GET_REGION_INFO(%u): %s", i, strerror(errno));
		}
		if (r.size)
			printf("region %u: size %#llx, offset %#llx, flags %#x\n", i,
			       (unsigned long long)r.size, (unsigned long long)r.offset, r.flags);
	}
	region(d, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (cfg.size < PCI_STD_HEADER_SIZEOF ||
	    (cfg.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) !=
	    (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE))
		die("config region: size %#llx, flags %#x", (unsigned long long)cfg.size, cfg.flags);
	for (i = 0; i < d->info.num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		/* INTx is there for all; an emulated device may lack others. */
		if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0) {
			if (i != VFIO_PCI_INTX_IRQ_INDEX && errno == EINVAL) {
				printf("irq %u: none\n", i);
				continue;
			}
			die("VFIO_DEVICE_GET_IRQ_INFO(%u): %s", i, strerror(errno));
		}
		printf("irq %u: count %u, flags %#x\n", i, irq.count, irq.flags);
	}
}

static void check_ids(struct dev *d, const char *ids)
{
	unsigned int vendor, device;
	uint32_t id = rd32(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_VENDOR_ID);

	if (ids) {
		if (sscanf(ids, "%x:%x", &vendor, &device) != 2)
			die("bad id %s: VENDOR:DEVICE", ids);
	} else {
		vendor = sysfs_hex(d->sysfs, "vendor");
		device = sysfs_hex(d->sysfs, "device");
	}
	if ((id & 0xffff) != vendor || id >> 16 != device)
		die("config space: id %04x:%04x, expected %04x:%04x",
		    id & 0xffff, id >> 16, vendor, device);
	printf("config space: id %04x:%04x\n", vendor, device);
}

/*
 * A device that has VFIO_DEVICE_FLAGS_RESET must reset; one without it must
 * refuse, unless any_reset (mtty resets without advertising it).
 */
static void check_reset(struct dev *d, int any_reset)
{
	int rc = ioctl(d->fd, VFIO_DEVICE_RESET);

	if (d->info.flags & VFIO_DEVICE_FLAGS_RESET) {
		if (rc < 0)
			die("VFIO_DEVICE_RESET: %s", strerror(errno));
		printf("reset: done\n");
	} else if (rc == 0) {
		if (!any_reset)
			die("VFIO_DEVICE_RESET succeeded on a device without VFIO_DEVICE_FLAGS_RESET");
		printf("reset: done, though the device does not advertise it\n");
	} else {
		printf("reset: not supported by the device (%s), as its flags say\n", strerror(errno));
	}
}

static void dma_map(struct dev *d, void *va, uint64_t iova, uint64_t len)
{
	if (d->cdev) {
		struct iommu_ioas_map map = {
			.size = sizeof(map), .ioas_id = d->ioas,
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)va, .length = len, .iova = iova,
		};

		xioctl(d->iommufd, IOMMU_IOAS_MAP, &map, "IOMMU_IOAS_MAP");
	} else {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)va, .iova = iova, .size = len,
		};

		xioctl(d->container, VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA");
	}
}

static void dma_unmap(struct dev *d, uint64_t iova, uint64_t len)
{
	if (d->cdev) {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = d->ioas, .iova = iova, .length = len,
		};

		xioctl(d->iommufd, IOMMU_IOAS_UNMAP, &unmap, "IOMMU_IOAS_UNMAP");
		if (unmap.length != len)
			die("IOMMU_IOAS_UNMAP: unmapped %#llx of %#llx",
			    (unsigned long long)unmap.length, (unsigned long long)len);
	} else {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = iova, .size = len,
		};

		xioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap, "VFIO_IOMMU_UNMAP_DMA");
		if (unmap.size != len)
			die("VFIO_IOMMU_UNMAP_DMA: unmapped %#llx of %#llx",
			    (unsigned long long)unmap.size, (unsigned long long)len);
	}
}

static void *buffer(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

/* QEMU's hw/misc/edu.c: BAR0 registers and the 4 KiB buffer it DMAs to. */
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
#define EDU_BUF_SIZE	4096
/* QEMU 7.2's edu refuses a transfer that ends at the end of its buffer. */
#define EDU_XFER	2048

static void edu_dma(struct dev *d, uint64_t src, uint64_t dst, uint32_t cmd)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };
	int i;

	wr32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_DMA_SRC, src);
	wr32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_DMA_DST, dst);
	wr32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_DMA_CNT, EDU_XFER);
	wr32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_DMA_CMD, cmd | EDU_CMD_RUN);
	for (i = 0; i < 1000; i++) {
		if (!(rd32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_DMA_CMD) & EDU_CMD_RUN))
			return;
		nanosleep(&t, NULL);
	}
	die("edu: DMA %#llx -> %#llx did not finish in 10 s",
	    (unsigned long long)src, (unsigned long long)dst);
}

static void edu(struct dev *d)
{
	const uint64_t iova_in = 0x100000, iova_out = 0x200000;
	uint8_t *in = buffer(EDU_BUF_SIZE), *out = buffer(EDU_BUF_SIZE);
	uint32_t id, v;
	uint16_t cmd;
	size_t i;

	id = rd32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_ID);
	if ((id & 0xff) != 0xed)
		die("edu: identification register %#x, not 0x..ed", id);
	wr32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS, 0x12345678);
	v = rd32(d, VFIO_PCI_BAR0_REGION_INDEX, EDU_LIVENESS);
	if (v != ~0x12345678u)
		die("edu: liveness register %#x, expected %#x", v, ~0x12345678u);
	/* The device may DMA only with bus mastering on. */
	rw(d, 0, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, sizeof(cmd));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	rw(d, 1, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, sizeof(cmd));

	for (i = 0; i < EDU_BUF_SIZE; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	memset(out, 0, EDU_BUF_SIZE);
	dma_map(d, in, iova_in, EDU_BUF_SIZE);
	dma_map(d, out, iova_out, EDU_BUF_SIZE);
	edu_dma(d, iova_in, EDU_BUF, 0);
	edu_dma(d, EDU_BUF, iova_out, EDU_CMD_TO_RAM);
	if (memcmp(in, out, EDU_XFER)) {
		for (i = 0; i < EDU_XFER && in[i] == out[i]; i++)
			;
		die("edu: DMA round trip: byte %zu is %#x, expected %#x", i, out[i], in[i]);
	}
	dma_unmap(d, iova_in, EDU_BUF_SIZE);
	dma_unmap(d, iova_out, EDU_BUF_SIZE);
	cmd &= ~PCI_COMMAND_MASTER;
	rw(d, 1, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, sizeof(cmd));
	for (i = EDU_XFER; i < EDU_BUF_SIZE; i++)
		if (out[i])
			die("edu: DMA round trip: byte %zu written beyond the %d bytes", i, EDU_XFER);
	printf("edu: id %#x, %d bytes DMAed to the device from IOVA %#llx and back to IOVA %#llx\n",
	       id, EDU_XFER, (unsigned long long)iova_in, (unsigned long long)iova_out);
	munmap(in, EDU_BUF_SIZE);
	munmap(out, EDU_BUF_SIZE);
}

static int basic(int argc, char **argv)
{
	const char *ids = NULL;
	int do_edu = 0, any_reset = 0, i;
	struct dev d;
	void *buf;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "edu"))
			do_edu = 1;
		else if (!strcmp(argv[i], "any-reset"))
			any_reset = 1;
		else if (!strcmp(argv[i], "id") && i + 1 < argc)
			ids = argv[++i];
		else
			die("basic: unknown argument %s", argv[i]);
	}
	dev_open(&d, argv[0], argv[1]);
	check_regions_irqs(&d);
	check_ids(&d, ids);
	check_reset(&d, any_reset);
	/* A map/unmap round trip, whatever the device. */
	buf = buffer(1 << 20);
	dma_map(&d, buf, 1 << 24, 1 << 20);
	dma_unmap(&d, 1 << 24, 1 << 20);
	munmap(buf, 1 << 20);
	printf("dma: 1 MiB mapped at IOVA %#x and unmapped\n", 1 << 24);
	if (do_edu)
		edu(&d);
	dev_close(&d);
	return 0;
}

static volatile sig_atomic_t released;

static void on_usr1(int sig)
{
	(void)sig;
	released = 1;
}

static int hold(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int req = 0, timeout = 60, efd = -1, i, fd;
	struct pollfd pfd;
	time_t end;
	struct dev d;

	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "req"))
			req = 1;
		else if (!strcmp(argv[i], "timeout") && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else
			die("hold: unknown argument %s", argv[i]);
	}
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction: %s", strerror(errno));
	dev_open(&d, argv[0], argv[1]);
	if (req) {
		struct vfio_irq_info irq = {
			.argsz = sizeof(irq), .index = VFIO_PCI_REQ_IRQ_INDEX,
		};
		char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
		struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

		xioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq, "VFIO_DEVICE_GET_IRQ_INFO(REQ)");
		if (irq.count != 1 || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
			die("request irq: count %u, flags %#x", irq.count, irq.flags);
		efd = eventfd(0, EFD_CLOEXEC);
		if (efd < 0)
			die("eventfd: %s", strerror(errno));
		set->argsz = sizeof(buf);
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		set->index = VFIO_PCI_REQ_IRQ_INDEX;
		set->start = 0;
		set->count = 1;
		memcpy(set->data, &efd, sizeof(efd));
		xioctl(d.fd, VFIO_DEVICE_SET_IRQS, set, "VFIO_DEVICE_SET_IRQS(REQ)");
		printf("request irq: eventfd registered\n");
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create %s: %s", argv[2], strerror(errno));
	close(fd);
	fflush(stdout);

	end = time(NULL) + timeout;
	pfd.fd = efd;
	pfd.events = POLLIN;
	while (!released) {
		int rc, left = (int)(end - time(NULL));

		if (left <= 0) {
			dev_close(&d);
			die("held for %d s: neither a request nor SIGUSR1", timeout);
		}
		rc = poll(efd >= 0 ? &pfd : NULL, efd >= 0 ? 1 : 0, 1000);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (rc > 0) {
			uint64_t n;

			if (read(efd, &n, sizeof(n)) != sizeof(n))
				die("read eventfd: %s", strerror(errno));
			printf("request irq: the driver asks for the device back (%llu)\n",
			       (unsigned long long)n);
			dev_close(&d);
			return 0;
		}
	}
	printf("SIGUSR1: releasing\n");
	dev_close(&d);
	if (req)
		die("released on SIGUSR1, the driver never requested the device");
	return 0;
}

/*
 * The fail-nth sweep.  Its steps return 0 or -1 with errno set and never
 * exit: a failed call is what the sweep asks for.  Nothing between arming
 * and disarming allocates in userspace or touches an untouched page: the
 * buffers are mapped and written before.
 */
struct sweep {
	struct dev d;
	char group_path[PATH_MAX], cdev_path[PATH_MAX];
	void *buf;		/* SWEEP_DMA bytes, touched */
	int efd;		/* an eventfd for the irq setup */
	int fail_nth;		/* /proc/self/task/TID/fail-nth */
	const char *what;	/* the call that failed */
};

#define SWEEP_DMA	(1 << 16)
#define SWEEP_IOVA	(1 << 24)

#define CALL(s, expr) do {						\
	if ((expr) < 0) {						\
		(s)->what = #expr;					\
		return -1;						\
	}								\
} while (0)

static int step_group_open(struct sweep *s)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	CALL(s, s->d.container = open("/dev/vfio/vfio", O_RDWR));
	CALL(s, s->d.group = open(s->group_path, O_RDWR));
	CALL(s, ioctl(s->d.group, VFIO_GROUP_GET_STATUS, &status));
	CALL(s, ioctl(s->d.group, VFIO_GROUP_SET_CONTAINER, &s->d.container));
	CALL(s, ioctl(s->d.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	return 0;
}

static int step_get_device_fd(struct sweep *s)
{
	CALL(s, s->d.fd = ioctl(s->d.group, VFIO_GROUP_GET_DEVICE_FD, s->d.name));
	return 0;
}

static int step_cdev_open(struct sweep *s)
{
	CALL(s, s->d.fd = open(s->cdev_path, O_RDWR));
	CALL(s, s->d.iommufd = open("/dev/iommu", O_RDWR));
	return 0;
}

static int step_bind(struct sweep *s)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = s->d.iommufd,
	};

	CALL(s, ioctl(s->d.fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	return 0;
}

static int step_attach(struct sweep *s)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	CALL(s, ioctl(s->d.iommufd, IOMMU_IOAS_ALLOC, &alloc));
	s->d.ioas = alloc.out_ioas_id;
	attach.pt_id = s->d.ioas;
	CALL(s, ioctl(s->d.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	return 0;
}

static int step_dma(struct sweep *s)
{
	if (s->d.cdev) {
		struct iommu_ioas_map map = {
			.size = sizeof(map), .ioas_id = s->d.ioas,
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)s->buf, .length = SWEEP_DMA, .iova = SWEEP_IOVA,
		};
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = s->d.ioas,
			.iova = SWEEP_IOVA, .length = SWEEP_DMA,
		};

		CALL(s, ioctl(s->d.iommufd, IOMMU_IOAS_MAP, &map));
		CALL(s, ioctl(s->d.iommufd, IOMMU_IOAS_UNMAP, &unmap));
		if (unmap.length != SWEEP_DMA) {
			s->what = "IOMMU_IOAS_UNMAP unmapped less than was mapped";
			errno = EIO;
			return -1;
		}
	} else {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)s->buf, .iova = SWEEP_IOVA, .size = SWEEP_DMA,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = SWEEP_IOVA, .size = SWEEP_DMA,
		};

		CALL(s, ioctl(s->d.container, VFIO_IOMMU_MAP_DMA, &map));
		CALL(s, ioctl(s->d.container, VFIO_IOMMU_UNMAP_DMA, &unmap));
		if (unmap.size != SWEEP_DMA) {
			s->what = "VFIO_IOMMU_UNMAP_DMA unmapped less than was mapped";
			errno = EIO;
			return -1;
		}
	}
	return 0;
}

/*
 * Device info, every region's info, a read of config space, every irq's
 * info, and an eventfd set as the trigger of the first vector of the
 * first INTx, MSI or MSI-X index that has one, then unset.  Whichever it
 * is, its irq is a new one each time the device is opened (INTx's too:
 * the GSI is mapped by pci_enable_device() and unmapped by
 * pci_disable_device()), whose /proc/irq/N entries genirq makes at
 * request_irq() ignoring failures, and removes with a WARN for each one
 * it never made (register_irq_proc(), unregister_irq_proc()): not VFIO's,
 * expected by the guest (scan.py, README).
 */
static int step_regions_irqs(struct sweep *s)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} irq_set;
	static const uint32_t order[] = {
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX,
	};
	uint32_t count[VFIO_PCI_MSIX_IRQ_INDEX + 1] = { 0 };
	uint32_t i, index = UINT32_MAX;
	uint32_t id;

	CALL(s, ioctl(s->d.fd, VFIO_DEVICE_GET_INFO, &info));
	for (i = 0; i < info.num_regions; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		if (ioctl(s->d.fd, VFIO_DEVICE_GET_REGION_INFO, &r) < 0 &&
		    !(i == VFIO_PCI_VGA_REGION_INDEX && errno == EINVAL)) {
			s->what = "VFIO_DEVICE_GET_REGION_INFO";
			return -1;
		}
		if (i == VFIO_PCI_CONFIG_REGION_INDEX)
			CALL(s, pread(s->d.fd, &id, sizeof(id), r.offset));
	}
	for (i = 0; i < info.num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		if (ioctl(s->d.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0) {
			if (i != VFIO_PCI_INTX_IRQ_INDEX && errno == EINVAL)
				continue;
			s->what = "VFIO_DEVICE_GET_IRQ_INFO";
			return -1;
		}
		if (i <= VFIO_PCI_MSIX_IRQ_INDEX)
			count[i] = irq.count;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (count[order[i]]) {
			index = order[i];
			break;
		}
	}
	if (index == UINT32_MAX)
		return 0;
	memset(&irq_set, 0, sizeof(irq_set));
	irq_set.set.argsz = sizeof(irq_set);
	irq_set.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	irq_set.set.index = index;
	irq_set.set.count = 1;
	irq_set.fd = s->efd;
	if (ioctl(s->d.fd, VFIO_DEVICE_SET_IRQS, &irq_set) < 0) {
		static const char *const what[] = {
			[VFIO_PCI_INTX_IRQ_INDEX] = "VFIO_DEVICE_SET_IRQS(INTx trigger)",
			[VFIO_PCI_MSI_IRQ_INDEX] = "VFIO_DEVICE_SET_IRQS(MSI trigger)",
			[VFIO_PCI_MSIX_IRQ_INDEX] = "VFIO_DEVICE_SET_IRQS(MSI-X trigger)",
		};

		s->what = what[index];
		return -1;
	}
	irq_set.set.argsz = sizeof(irq_set.set);
	irq_set.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	irq_set.set.count = 0;
	CALL(s, ioctl(s->d.fd, VFIO_DEVICE_SET_IRQS, &irq_set.set));
	return 0;
}

/* Close every file of the device: close() of a VFIO file returns 0. */
static int step_close(struct sweep *s)
{
	int *fds[] = { &s->d.fd, &s->d.group, &s->d.container, &s->d.iommufd };
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0 && close(*fds[i]) < 0) {
			s->what = "close";
			rc = -1;
		}
		*fds[i] = -1;
	}
	return rc;
}

struct step {
	const char *name;
	int (*run)(struct sweep *s);
};

static const struct step group_steps[] = {
	{ "group-open", step_group_open }, { "get-device-fd", step_get_device_fd },
	{ "dma", step_dma }, { "regions-irqs", step_regions_irqs }, { "close", step_close },
	{ NULL, NULL },
};

static const struct step cdev_steps[] = {
	{ "cdev-open", step_cdev_open }, { "bind-iommufd", step_bind },
	{ "attach-pt", step_attach }, { "dma", step_dma },
	{ "regions-irqs", step_regions_irqs }, { "close", step_close },
	{ NULL, NULL },
};

static void fail_nth_set(struct sweep *s, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(s->fail_nth, buf, len, 0) != len)
		die("write fail-nth %u: %s", n, strerror(errno));
}

/* What is left of the count: 0 once the n-th point has failed. */
static unsigned int fail_nth_get(struct sweep *s)
{
	char buf[16] = "";

	if (pread(s->fail_nth, buf, sizeof(buf) - 1, 0) <= 0)
		die("read fail-nth: %s", strerror(errno));
	return strtoul(buf, NULL, 10);
}

/* Run steps [from, to) unarmed; any failure is an error of the sweep. */
static void run_steps(struct sweep *s, const struct step *steps, int from, int to,
		      const char *why, const char *step, unsigned int n)
{
	int i;

	for (i = from; i < to; i++)
		if (steps[i].run(s) < 0)
			die("%s %s with fail-nth %u: then %s failed: %s: %s", step, why, n,
			    steps[i].name, s->what, strerror(errno));
}

/*
 * Open the device once through PATH and set up what the steps use: its
 * group or cdev node, the DMA buffer, the eventfd and fail-nth (on the
 * first call).  Returns the count of the path's steps.
 */
static int sweep_setup(struct sweep *s, const char *path, const char *sysfs,
		       const struct step **steps)
{
	char vdev[64];
	int nsteps;

	dev_open(&s->d, path, sysfs);
	dev_close(&s->d);
	s->d.container = s->d.group = s->d.iommufd = s->d.fd = -1;
	*steps = s->d.cdev ? cdev_steps : group_steps;
	for (nsteps = 0; (*steps)[nsteps].name; nsteps++)
		;
	if (s->d.cdev) {
		struct dirent *e;
		DIR *dir;

		fmt(s->cdev_path, sizeof(s->cdev_path), "%s/vfio-dev", s->d.sysfs);
		dir = opendir(s->cdev_path);
		if (!dir)
			die("opendir %s: %s", s->cdev_path, strerror(errno));
		vdev[0] = '\0';
		while ((e = readdir(dir)))
			if (!strncmp(e->d_name, "vfio", 4))
				fmt(vdev, sizeof(vdev), "%s", e->d_name);
		closedir(dir);
		fmt(s->cdev_path, sizeof(s->cdev_path), "/dev/vfio/devices/%s", vdev);
	} else {
		link_name(s->d.sysfs, "iommu_group", vdev, sizeof(vdev));
		fmt(s->group_path, sizeof(s->group_path), "/dev/vfio/%s", vdev);
	}
	if (s->buf)
		return nsteps;
	s->buf = buffer(SWEEP_DMA);
	memset(s->buf, 0x5a, SWEEP_DMA);
	s->efd = eventfd(0, EFD_CLOEXEC);
	if (s->efd < 0)
		die("eventfd: %s", strerror(errno));
	fmt(vdev, sizeof(vdev), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	s->fail_nth = xopen(vdev, O_RDWR);
	return nsteps;
}

static int fail_nth(int argc, char **argv)
{
	const struct step *steps;
	unsigned int total = 0;
	struct sweep s;
	int k, nsteps;

	(void)argc;
	memset(&s, 0, sizeof(s));
	nsteps = sweep_setup(&s, argv[0], argv[1], &steps);
	/* Once unarmed: the sequence works, and its pages are touched. */
	run_steps(&s, steps, 0, nsteps, "(unarmed)", "sequence", 0);

	for (k = 0; k < nsteps; k++) {
		unsigned int n, errors = 0, absorbed = 0;

		for (n = 1;; n++) {
			int rc, err;

			run_steps(&s, steps, 0, k, "(before the armed step)", steps[k].name, n);
			fail_nth_set(&s, n);
			rc = steps[k].run(&s);
			err = errno;
			if (fail_nth_get(&s) != 0) {
				/* Fewer than n points: the step is swept. */
				fail_nth_set(&s, 0);
				if (rc < 0)
					die("%s failed with fail-nth %u though no point failed: %s: %s",
					    steps[k].name, n, s.what, strerror(err));
				run_steps(&s, steps, k + 1, nsteps, "(unarmed)", steps[k].name, n);
				break;
			}
			total++;
			if (rc < 0) {
				errors++;
				step_close(&s);
			} else {
				absorbed++;
				run_steps(&s, steps, k + 1, nsteps, "succeeded", steps[k].name, n);
			}
			/*
			 * The next n runs the steps before again and this one
			 * through its first n points: a failure that left
			 * anything half set up fails that run.
			 */
		}
		printf("fail-nth %s %s: %u points, %u failed the call, %u absorbed\n",
		       argv[0], steps[k].name, n - 1, errors, absorbed);
	}
	/* No fault point at all: fail-nth or the fault attributes are not set up. */
	if (!total)
		die("fail-nth %s: no step passed a fault point", argv[0]);
	printf("fail-nth %s: %u armed runs, every one recovered\n", argv[0], total);
	return 0;
}

/* 1 if SYSFS is bound to DRIVER, 0 if to none; any other driver dies. */
static int bound_to(const char *sysfs, const char *driver)
{
	char path[PATH_MAX], name[64];

	fmt(path, sizeof(path), "%s/driver", sysfs);
	if (access(path, F_OK) < 0)
		return 0;
	link_name(sysfs, "driver", name, sizeof(name));
	if (strcmp(name, driver))
		die("%s is bound to %s, not %s", sysfs, name, driver);
	return 1;
}

static int fail_nth_probe(int argc, char **argv)
{
	const char *sysfs = argv[1], *driver = argv[2];
	const char *name = strrchr(sysfs, '/') ? strrchr(sysfs, '/') + 1 : sysfs;
	unsigned int n, total = 0, errors = 0, absorbed = 0;
	const struct step *steps;
	char path[PATH_MAX];
	int bind, unbind, nsteps;
	struct sweep s;

	(void)argc;
	memset(&s, 0, sizeof(s));
	if (bound_to(sysfs, driver))
		die("%s is bound: the probe sweep starts from an unbound device", sysfs);
	/* Opened before: the open's own allocations are not the probe's. */
	fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", driver);
	bind = xopen(path, O_WRONLY);
	fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", driver);
	unbind = xopen(path, O_WRONLY);
	if (pwrite(bind, name, strlen(name), 0) < 0)
		die("bind %s to %s (unarmed): %s", name, driver, strerror(errno));
	nsteps = sweep_setup(&s, argv[0], sysfs, &steps);
	run_steps(&s, steps, 0, nsteps, "(unarmed)", "sequence", 0);
	if (pwrite(unbind, name, strlen(name), 0) < 0)
		die("unbind %s (unarmed): %s", name, strerror(errno));
	quiet = 1;
	for (n = 1;; n++) {
		unsigned int left;
		int rc, err;

		fail_nth_set(&s, n);
		rc = pwrite(bind, name, strlen(name), 0);
		err = errno;
		left = fail_nth_get(&s);
		fail_nth_set(&s, 0);
		if (bound_to(sysfs, driver) != (rc >= 0))
			die("probe with fail-nth %u: the bind %s, yet the device is %sbound", n,
			    rc < 0 ? strerror(err) : "succeeded", rc < 0 ? "" : "not ");
		if (left && rc < 0)
			die("probe failed with fail-nth %u though no point failed: %s", n,
			    strerror(err));
		if (rc >= 0) {
			/* Bound: the device must work on the path, then goes. */
			sweep_setup(&s, argv[0], sysfs, &steps);
			run_steps(&s, steps, 0, nsteps, left ? "(unarmed)" : "succeeded",
				  "probe", n);
			if (pwrite(unbind, name, strlen(name), 0) < 0)
				die("unbind %s after fail-nth %u: %s", name, n, strerror(errno));
		}
		if (left)
			break;
		/* The next run probes again: a half-registered device fails it. */
		total++;
		if (rc < 0)
			errors++;
		else
			absorbed++;
	}
	printf("fail-nth %s probe: %u points, %u failed the call, %u absorbed\n",
	       argv[0], n - 1, errors, absorbed);
	if (!total)
		die("fail-nth %s probe: the bind passed no fault point", argv[0]);
	printf("fail-nth %s probe: %u armed runs, every one recovered\n", argv[0], total);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "basic"))
		return basic(argc - 2, argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "hold"))
		return hold(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "fail-nth"))
		return fail_nth(argc - 2, argv + 2);
	if (argc == 5 && !strcmp(argv[1], "fail-nth-probe"))
		return fail_nth_probe(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: vfio-e2e basic {group|cdev} SYSFS-DEVICE [edu] [id VENDOR:DEVICE] [any-reset]\n"
		"       vfio-e2e hold {group|cdev} SYSFS-DEVICE READY-FILE [req] [timeout S]\n"
		"       vfio-e2e fail-nth {group|cdev} SYSFS-DEVICE\n"
		"       vfio-e2e fail-nth-probe {group|cdev} SYSFS-DEVICE DRIVER\n");
	return 2;
}
