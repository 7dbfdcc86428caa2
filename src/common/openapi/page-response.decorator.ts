import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

import { PageDto } from '../pagination/page.dto';

/** Documents a list response: the shared `{ data, nextCursor }` envelope with items of `model`. */
export const ApiPageResponse = <T>(model: Type<T>, description = 'One page of results'): MethodDecorator =>
  applyDecorators(
    ApiExtraModels(PageDto, model),
    ApiOkResponse({
      description,
      schema: {
        title: `${model.name.replace(/(Response)?Dto$/, '')}Page`,
        allOf: [
          { $ref: getSchemaPath(PageDto) },
          {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: { $ref: getSchemaPath(model) } } },
          },
        ],
      },
    }),
  );
