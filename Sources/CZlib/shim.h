// The system zlib, used only to inflate the gzip-compressed IDX files.
#include <zlib.h>
