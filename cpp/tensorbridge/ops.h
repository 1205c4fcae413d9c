// The public operations of the core, one header per area under ops/.
#pragma once
#include "tensorbridge/ops/creation.h"
