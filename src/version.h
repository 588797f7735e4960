/* SPDX-License-Identifier: GPL-2.0 */
/* version.h - the ktrack release, shared by the module and ktrackctl. */
#ifndef _KTRACK_VERSION_H
#define _KTRACK_VERSION_H
#define KTRACK_VERSION "0.1.0"
#endif
