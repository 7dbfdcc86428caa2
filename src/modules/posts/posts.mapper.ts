import { toUserPublicDto } from '../users/users.mapper';
import type { PostDto, PostSummaryDto } from './dto/post.dto';
import type { PostRecord, PostSummaryRecord } from './posts.repository';

export function toPostSummaryDto(post: PostSummaryRecord): PostSummaryDto {
  return {
    id: post.id,
    title: post.title,
    price: Number(post.price),
    images: post.images,
    address: post.address,
    city: post.city,
    bedroom: post.bedroom,
    bathroom: post.bathroom,
    latitude: post.latitude,
    longitude: post.longitude,
    type: post.type,
    property: post.property,
    accountId: post.accountId,
    author: toUserPublicDto(post.author),
    ...(post.saved === undefined ? {} : { saved: post.saved }),
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
  };
}

export function toPostDto(post: PostRecord): PostDto {
  const { detail } = post;
  return {
    ...toPostSummaryDto(post),
    detail: detail
      ? {
          desc: detail.desc,
          utilities: detail.utilities,
          pet: detail.pet,
          income: detail.income,
          size: detail.size,
          school: detail.school,
          bus: detail.bus,
          restaurant: detail.restaurant,
        }
      : null,
  };
}
