/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktrack.h - the interface between the ktrack module and userspace (ktrackctl, or any generic
 * netlink client): the generic netlink family "ktrack".
 *
 * Family: KTRACK_GENL_NAME, version KTRACK_GENL_VERSION. A client resolves the family id through
 * the generic netlink controller (CTRL_CMD_GETFAMILY); when the family is unknown the module is not
 * loaded (it is autoloaded by the family name, see MODULE_ALIAS_GENL_FAMILY).
 *
 * The commands and attributes are documented with the control plane (see README.md); this release
 * defines the family and its version only.
 */
#ifndef _UAPI_LINUX_KTRACK_H
#define _UAPI_LINUX_KTRACK_H

#define KTRACK_GENL_NAME	"ktrack"
#define KTRACK_GENL_VERSION	1

#endif /* _UAPI_LINUX_KTRACK_H */
