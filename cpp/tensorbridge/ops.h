// The public operations of the core, one header per area under ops/.
#pragma once
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/ops/view.h"
#include "tensorbridge/ops/shape.h"
#include "tensorbridge/ops/index.h"
#include "tensorbridge/ops/linalg.h"
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/ops/reduce.h"
