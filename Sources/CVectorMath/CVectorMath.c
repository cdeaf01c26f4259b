// CVectorMath is header-only (static inline functions Swift inlines); a C target needs one source.
#include "CVectorMath.h"
